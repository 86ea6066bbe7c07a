// DSPy's homepage RAG example. Usage: dotnet run --project samples/rag -- [--lm MODEL] [--question TEXT]
return await Dspy.Samples.Rag.RagSample.RunAsync(args, Console.Out, CancellationToken.None);
