// The dspy CLI. Commands are composed in DspyCommand; this file only runs them.
return await Dspy.Cli.DspyCommand.RunAsync(args);
