// DSPy's homepage Multi-Stage Pipelines example. Usage: dotnet run --project samples/article -- [--lm MODEL] [--topic TEXT]
return await Dspy.Samples.Article.ArticleSample.RunAsync(args, Console.Out, CancellationToken.None);
