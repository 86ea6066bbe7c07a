// Regenerates the bundled sample datasets (samples/intent, samples/arithmetic) from their fixed seeds.
// Usage: dotnet run --project samples/Generator [-- <samples-directory>]
var target = args.Length > 0 ? args[0] : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
Dspy.SimSamples.WriteAll(target);
Console.WriteLine($"Wrote samples to {target}");
