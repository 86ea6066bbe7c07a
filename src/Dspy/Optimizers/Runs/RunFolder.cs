using System.Text;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// A run folder (DESIGN invariants 2 and 6's "killed run resumes from that folder"): everything a compile needs to be
/// resumed by re-running it with the same configuration and seed.
/// <list type="bullet">
/// <item><c>manifest.json</c>: the <see cref="RunManifest"/>; opening the folder with a different one is refused.</item>
/// <item><c>cache/</c>: the run's LM response cache on disk (<see cref="Cache"/>; give it to every LM of the run as
/// <c>LM.CacheStore</c>), so a re-run repeats no completed LM call.</item>
/// <item><c>evaluations.jsonl</c>: the <see cref="EvaluationStore"/>; wrap the run's evaluator with
/// <see cref="CreateEvaluator"/> so completed cells are not evaluated again.</item>
/// <item><c>finetune-jobs/</c>: the <see cref="FinetuneJobFolder"/> (created on first use); give it to the flow as
/// <see cref="DspySettings.FinetuneJobs"/> so a re-run re-attaches to the fine-tuning jobs it started.</item>
/// </list>
/// </summary>
public sealed class RunFolder : IDisposable
{
    private RunFolder(string directory, RunManifest manifest, bool resumed)
    {
        Directory = directory;
        Manifest = manifest;
        Resumed = resumed;
        Cache = new Cache(enableDiskCache: true, enableMemoryCache: true, diskCacheDir: System.IO.Path.Combine(directory, "cache"));
        Evaluations = new EvaluationStore(System.IO.Path.Combine(directory, "evaluations.jsonl"));
        FinetuneJobs = new FinetuneJobFolder(System.IO.Path.Combine(directory, FinetuneJobFolder.FolderName));
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>The run's manifest.</summary>
    public RunManifest Manifest { get; }

    /// <summary>True when the folder already held this run (a resume).</summary>
    public bool Resumed { get; }

    /// <summary>The run's LM response cache (memory in front of <c>cache/</c> on disk).</summary>
    public Cache Cache { get; }

    /// <summary>The run's evaluation store.</summary>
    public EvaluationStore Evaluations { get; }

    /// <summary>The run's fine-tuning jobs by training request (<c>finetune-jobs/</c>).</summary>
    public FinetuneJobFolder FinetuneJobs { get; }

    /// <summary>
    /// Opens <paramref name="directory"/> for the run described by <paramref name="manifest"/>: creates it and writes the
    /// manifest for a new run, or checks the stored manifest for a resume.
    /// </summary>
    /// <exception cref="RunFolderMismatchException">The folder holds a run with another configuration or seed.</exception>
    /// <exception cref="InvalidDataException">The folder's manifest is unreadable.</exception>
    public static RunFolder Open(string directory, RunManifest manifest)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(manifest);
        var full = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        var path = System.IO.Path.Combine(full, "manifest.json");
        var resumed = File.Exists(path);
        if (resumed)
        {
            RunManifest stored;
            try
            {
                stored = RunManifest.FromJsonObject(ValueModel.ParseJson(File.ReadAllText(path, Encoding.UTF8)));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The run folder '{full}' has an unreadable manifest.json: {ex.Message}", ex);
            }
            var differences = manifest.Differences(stored);
            if (differences.Count > 0) throw new RunFolderMismatchException(full, differences);
        }
        else
        {
            // Written to a temporary file and renamed, so a crash never leaves a half-written manifest.
            var temp = path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(PythonJson.Dumps(manifest.ToJsonObject(), indent: 2) + "\n"));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        return new RunFolder(full, manifest, resumed);
    }

    /// <summary>A memoising evaluator over <paramref name="inner"/> (default: <see cref="LocalProgramEvaluator"/>) and this run's store.</summary>
    public MemoizingProgramEvaluator CreateEvaluator(IProgramEvaluator? inner = null) => new(inner ?? LocalProgramEvaluator.Instance, Evaluations);

    /// <inheritdoc/>
    public void Dispose() => Evaluations.Dispose();
}

/// <summary>A run folder holds a run with another configuration or seed; a resume must repeat the same run.</summary>
public sealed class RunFolderMismatchException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public RunFolderMismatchException(string directory, IReadOnlyList<string> differences)
        : base($"The run folder '{directory}' holds a run with another configuration; use a new folder, or re-run with the same settings ({string.Join("; ", differences)}).")
    {
        Directory = directory;
        Differences = differences;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>What differs, one line per key.</summary>
    public IReadOnlyList<string> Differences { get; }
}
