// DSPy's homepage Classification example. Usage: dotnet run --project samples/sentiment -- [--lm MODEL] [--sentence TEXT]
return await Dspy.Samples.Sentiment.SentimentSample.RunAsync(args, Console.Out, CancellationToken.None);
