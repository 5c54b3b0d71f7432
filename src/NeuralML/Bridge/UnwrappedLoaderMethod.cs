using System.Globalization;
using System.Reflection;

namespace NeuralML.Bridge;

/// <summary>
/// NeuralML's model loader as ML.NET's component catalog invokes it, but with its exceptions passed on as they are.
/// ML.NET calls a loader through <see cref="MethodBase.Invoke(object, object[])"/>, which wraps whatever the loader
/// throws in a <see cref="TargetInvocationException"/>: a damaged file's <see cref="InvalidDataException"/> would reach
/// the user one level further down than ML.NET's own transformers' errors (two levels in a pipeline). This method
/// forwards every call to the real loader and invokes it with <see cref="BindingFlags.DoNotWrapExceptions"/>.
/// </summary>
internal sealed class UnwrappedLoaderMethod(MethodInfo loader) : MethodInfo
{
    public override object? Invoke(object? obj, BindingFlags invokeAttr, Binder? binder, object?[]? parameters, CultureInfo? culture)
        => loader.Invoke(obj, invokeAttr | BindingFlags.DoNotWrapExceptions, binder, parameters, culture);

    public override string Name => loader.Name;

    public override Type? DeclaringType => loader.DeclaringType;

    public override Type? ReflectedType => loader.ReflectedType;

    public override Type ReturnType => loader.ReturnType;

    public override ICustomAttributeProvider ReturnTypeCustomAttributes => loader.ReturnTypeCustomAttributes;

    public override MethodAttributes Attributes => loader.Attributes;

    public override RuntimeMethodHandle MethodHandle => loader.MethodHandle;

    public override MethodInfo GetBaseDefinition() => loader.GetBaseDefinition();

    public override MethodImplAttributes GetMethodImplementationFlags() => loader.GetMethodImplementationFlags();

    public override ParameterInfo[] GetParameters() => loader.GetParameters();

    public override object[] GetCustomAttributes(bool inherit) => loader.GetCustomAttributes(inherit);

    public override object[] GetCustomAttributes(Type attributeType, bool inherit) => loader.GetCustomAttributes(attributeType, inherit);

    public override bool IsDefined(Type attributeType, bool inherit) => loader.IsDefined(attributeType, inherit);
}
