using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

// What a compile run keeps in its state and what in blobs (Azure mode): a configuration larger than the inline limit
// (50,000 train ids, a starting program with long demos) and a large optimized program go to content-named blobs, and the
// event list is kept to a size; the state stays small whatever the data's size.
public sealed partial class CompileRunGrain
{
    // The newest events kept in the state, in bytes of JSON (besides the count limit).
    private const int MaxEventBytes = 128 * 1024;

    private StateBlobs? _blobs;
    private CompileRunConfig? _config;
    private string? _result, _resultProblem;
    private List<int>? _eventSizes;
    private long _eventBytes;

    private StateBlobs Blobs => _blobs ??= StateBlobs.For(ServiceProvider, $"Compile run '{this.GetPrimaryKeyString()}'");

    private string Prefix(string part) => $"runs/{Uri.EscapeDataString(this.GetPrimaryKeyString())}/{part}";

    // A new run's configuration into the state, or into a blob with the state keeping it without its id lists and starting
    // program. Set before the upload's await, as a started run (the grain is reentrant); taken back if the upload fails.
    private async Task StoreConfigAsync(CompileRunConfig config)
    {
        var blob = Blobs.BlobFor(Prefix("config"), config);
        state.State.Config = blob is null ? config : config with { TrainIds = [], ValIds = [], InitialStateJson = null };
        state.State.ConfigBlob = blob;
        _config = config;
        if (blob is null) return;
        try
        {
            await Blobs.UploadAsync(Prefix("config"), config);
        }
        catch
        {
            (state.State.Config, state.State.ConfigBlob, _config) = (null, null, null);
            throw;
        }
    }

    // Whether the run was started with this configuration. A blob is named after its content, so the same configuration
    // names the same blob; otherwise (a blob written before an upgrade changed the record's JSON) it is read and compared.
    private async Task<bool> IsStartedWithAsync(CompileRunConfig config)
    {
        if (state.State.ConfigBlob is not { } blob) return SameConfig(state.State.Config!, config);
        return blob == StateBlobs.NameOf(Prefix("config"), config) || (await LoadConfigAsync() is { } stored && SameConfig(stored, config));
    }

    // The run's whole configuration. A configuration blob that is missing or damaged cannot be rebuilt: the run fails
    // with an error naming it (and returns null).
    private async Task<CompileRunConfig?> LoadConfigAsync()
    {
        if (_config is not null || state.State.ConfigBlob is not { } blob) return _config ??= state.State.Config;
        var config = await Blobs.LoadAsync<CompileRunConfig>(blob);
        if (config is not null) return _config = config;
        var error = $"The run's configuration was stored as blob '{blob}', which is missing or damaged; the run cannot go on (start it again under a new run id).";
        LogFailed(logger, new InvalidDataException(error), this.GetPrimaryKeyString());
        state.State.Error = error;
        await EndAsync(CompileRunState.Failed, new RunProgressEvent { Kind = "failed", Message = error });
        return null;
    }

    // The optimized program's blob, written before the state names it; null when the program stays in the state.
    private Task<string?> OffloadResultAsync(string stateJson) => Blobs.OffloadAsync(Prefix("result"), stateJson);

    private void SetResult(string stateJson, string? blob)
    {
        state.State.ResultStateJson = blob is null ? stateJson : null;
        state.State.ResultStateBlob = blob;
        _result = stateJson;
    }

    // A completed run's program from its blob, for its status; a missing or damaged blob becomes the status' error.
    private async Task LoadResultAsync()
    {
        if (state.State.ResultStateBlob is not { } blob || _result is not null) return;
        _result = await Blobs.LoadAsync<string>(blob);
        _resultProblem = _result is null ? $"The optimized program was stored as blob '{blob}', which is missing or damaged; it cannot be returned." : null;
    }

    // At most MaxEvents events and MaxEventBytes of them (the newest one always).
    private void TrimEvents()
    {
        var events = state.State.Events;
        if (_eventSizes is null)
        {
            _eventSizes = events.Select(e => StateBlobs.Json(e).Length).ToList();
            _eventBytes = _eventSizes.Sum(n => (long)n);
        }
        else
        {
            _eventSizes.Add(StateBlobs.Json(events[^1]).Length);
            _eventBytes += _eventSizes[^1];
        }
        var drop = 0;
        while (events.Count - drop > 1 && (events.Count - drop > MaxEvents || _eventBytes > MaxEventBytes)) _eventBytes -= _eventSizes[drop++];
        if (drop == 0) return;
        events.RemoveRange(0, drop);
        _eventSizes.RemoveRange(0, drop);
    }
}
