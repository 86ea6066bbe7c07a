// DSPy's homepage Information Extraction example. Usage: dotnet run --project samples/extraction -- [--lm MODEL] [--text TEXT]
return await Dspy.Samples.Extraction.ExtractionSample.RunAsync(args, Console.Out, CancellationToken.None);
