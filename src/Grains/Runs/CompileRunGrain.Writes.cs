namespace Dspy.Grains;

// How a compile run writes its state: one write in flight at a time (the grain is reentrant; changes made meanwhile ride
// on the next), the last write's failure remembered (the activation's copy may then be out of step with storage), and an end (completed,
// failed, cancelled) reported only once it is stored.
public sealed partial class CompileRunGrain
{
    private Task _writing = Task.CompletedTask;
    private bool _dirty;
    private bool _stateWriteFailed;
    private bool _ending;

    // Ends the run in a terminal state, which the status reports only once it is stored: while its write is in flight the
    // status still says Running (the grain is reentrant, a status read can come in meanwhile), and if the write fails the
    // run is Running again (its reminder, or the caller's retry, ends it once storage answers) and the error propagates.
    private async Task EndAsync(CompileRunState end, RunProgressEvent? record)
    {
        _ending = true;
        state.State.State = end;
        if (record is not null) AddEvent(record);
        try
        {
            await WriteAsync();
        }
        catch
        {
            state.State.State = CompileRunState.Running;
            state.State.Error = null;
            throw;
        }
        finally
        {
            _ending = false;
        }
        await StopReminderAsync();
    }

    private void AddEvent(RunProgressEvent e)
    {
        // A resumed run replays its optimizer; the replayed events are kept (marked by the "resumed" event before them).
        state.State.Events.Add(e with { Index = state.State.NextEventIndex++ });
        TrimEvents();
        _dirty = true;
        if (_writing.IsCompleted) _writing = WriteLoopAsync();
    }

    private async Task WriteAsync()
    {
        _dirty = true;
        try
        {
            await _writing;
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            // That write's changes are still in the state (its loop left them dirty): the write below carries them.
        }
        if (_dirty) await WriteLoopAsync();
    }

    // One WriteStateAsync in flight at a time (the grain is reentrant); later changes ride on the next write.
    private async Task WriteLoopAsync()
    {
        while (_dirty)
        {
            _dirty = false;
            try
            {
                await state.WriteStateAsync();
                _stateWriteFailed = false; // a write that lands proves the activation's copy (and etag) in step again
            }
            catch
            {
                _dirty = true;
                _stateWriteFailed = true;
                throw;
            }
        }
    }

    private async Task StopReminderAsync()
    {
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }
}
