using Automation.Core.Storage;

namespace Automation.Core.Journeys;

/// <summary>
/// The writes of one engine call, batched where that changes nothing: the steps of instances this call entered cannot
/// meet a conflicting row, an end is settled by the status it finds (the first wins), and a message's idempotency key
/// settles its own conflicts, so those wait and go a few rows per statement. Steps of older instances are written at
/// once (those of all the instances evaluated together in one go), because whether a step was already recorded decides
/// whether its action runs. Entries write the ends waiting first, so the active-instance index sees every earlier end;
/// the rest waits for <see cref="FlushAsync"/>, which writes the whole call's steps and messages a few rows per statement.
/// </summary>
internal sealed class PendingJourneyWrites(IJourneyTransaction tx, DateTimeOffset now)
{
    private readonly HashSet<long> _entered = [];
    private readonly HashSet<(long InstanceId, string Step)> _stepKeys = [];
    private readonly List<FiredStep> _steps = [];
    private readonly List<InstanceEnd> _ends = [];
    private readonly List<OutboxMessage> _messages = [];
    private readonly List<(long InstanceId, string Step, string Outcome)> _outcomes = [];

    /// <summary>What this call entered, fired and ended, counted in the metrics once committed.</summary>
    public Telemetry.CommittedJourneyCounts Counts { get; } = new(tx);

    public async Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return [];
        await FlushEndsAsync(ct);
        var instances = await tx.EnterAsync(entries, ct);
        foreach (var instance in instances)
        {
            _entered.Add(instance.Id);
            Counts.Entered(instance.Journey);
        }
        return instances;
    }

    /// <summary>The steps recorded now, as (instance, step); one left out had fired already.</summary>
    public async Task<IReadOnlySet<(long InstanceId, string Step)>> RecordStepsAsync(IReadOnlyList<FiredStep> steps, CancellationToken ct)
    {
        var recorded = new HashSet<(long InstanceId, string Step)>();
        var older = new List<FiredStep>();
        foreach (var step in steps)
        {
            if (!_entered.Contains(step.InstanceId)) older.Add(step);
            else if (_stepKeys.Add((step.InstanceId, step.Step)))
            {
                _steps.Add(step);
                recorded.Add((step.InstanceId, step.Step));
            }
        }
        if (older.Count > 0)
            foreach (var step in await tx.RecordStepsAsync(older, ct)) recorded.Add((step.InstanceId, step.Step));
        return recorded;
    }

    public void End(InstanceEnd end, string journey)
    {
        _ends.Add(end);
        Counts.Ended(journey, end.End);
    }

    public void Enqueue(OutboxMessage message) => _messages.Add(message);

    /// <summary>Why a step recorded in this call did not do what it says; written once its step is.</summary>
    public void StepOutcome(long instanceId, string step, string outcome) => _outcomes.Add((instanceId, step, outcome));

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_steps.Count > 0) await tx.RecordStepsAsync(_steps, ct);
        foreach (var (instanceId, step, outcome) in _outcomes) await tx.SetStepOutcomeAsync(instanceId, step, outcome, ct);
        if (_messages.Count > 0) await tx.EnqueueAsync(_messages, now, ct);
        await FlushEndsAsync(ct);
        _steps.Clear();
        _outcomes.Clear();
        _messages.Clear();
    }

    private async Task FlushEndsAsync(CancellationToken ct)
    {
        if (_ends.Count == 0) return;
        await tx.EndAsync(_ends, ct);
        _ends.Clear();
    }
}
