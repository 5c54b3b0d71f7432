# Converts mlbench's Ozone data to CSV, once: Rscript convert.R (from this folder), with Debian's r-cran-mlbench.
# Month and day of week stay categories (their numbers as text); missing values are empty fields; the five days
# without an ozone reading are dropped.
library(mlbench)
data(Ozone)
frame <- data.frame(
  Month = Ozone$V1, DayOfWeek = Ozone$V3,
  PressureHeight = Ozone$V5, WindSpeed = Ozone$V6, Humidity = Ozone$V7, TemperatureSandburg = Ozone$V8,
  TemperatureElMonte = Ozone$V9, InversionHeight = Ozone$V10, PressureGradient = Ozone$V11,
  InversionTemperature = Ozone$V12, Visibility = Ozone$V13, Ozone = Ozone$V4)
frame <- frame[!is.na(frame$Ozone), ]
write.csv(frame, "ozone.csv", row.names = FALSE, na = "", quote = FALSE)
