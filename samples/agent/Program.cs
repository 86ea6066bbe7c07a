// DSPy's homepage Agents example (ReAct). Usage: dotnet run --project samples/agent -- [--lm MODEL] [--question TEXT]
return await Dspy.Samples.Agent.AgentSample.RunAsync(args, Console.Out, CancellationToken.None);
