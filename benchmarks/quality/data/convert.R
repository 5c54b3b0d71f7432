# Converts the UCI data sets of Debian's r-cran-mlbench to CSV, once: Rscript convert.R (from this folder).
# Factors are written as their labels, missing values as empty fields; the target is the last column.
library(mlbench)
write <- function(frame, file) write.csv(frame, file, row.names = FALSE, na = "", quote = TRUE)
data(Glass); write(Glass, "glass.csv")
data(Sonar); write(Sonar, "sonar.csv")
data(Ionosphere); write(Ionosphere, "ionosphere.csv")
data(Vehicle); write(Vehicle, "vehicle.csv")
data(Satellite); write(Satellite, "satellite.csv")
data(LetterRecognition); write(LetterRecognition[, c(2:17, 1)], "letter.csv")
data(HouseVotes84); write(HouseVotes84[, c(2:17, 1)], "housevotes84.csv")
data(Soybean); write(Soybean[, c(2:36, 1)], "soybean.csv")
data(Servo); write(Servo, "servo.csv")
data(PimaIndiansDiabetes); write(PimaIndiansDiabetes, "pima.csv")
