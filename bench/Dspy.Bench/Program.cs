using BenchmarkDotNet.Running;

// Micro-benchmarks of the programming model. Run: dotnet run -c Release --project bench/Dspy.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
