// DSPy's homepage Math example. Usage: dotnet run --project samples/math -- [--lm MODEL] [--question TEXT]
return await Dspy.Samples.Math.MathSample.RunAsync(args, Console.Out, CancellationToken.None);
