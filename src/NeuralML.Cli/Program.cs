using System.Text;
using NeuralML.Cli;

Console.OutputEncoding = Encoding.UTF8;
return Cli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
