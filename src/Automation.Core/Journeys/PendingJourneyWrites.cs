using Automation.Core.Storage;

namespace Automation.Core.Journeys;

/// <summary>
/// The writes of one engine call, batched where that changes nothing: the steps and ends of instances this call
/// entered cannot meet a conflicting row, and a message's idempotency key settles its own conflicts, so those wait and
/// go a few rows per statement. Steps and ends of older instances are written at once, because whether a step was
/// already recorded decides whether its action runs. Entries flush first, so the database sees every earlier end.
/// </summary>
internal sealed class PendingJourneyWrites(IJourneyTransaction tx, DateTimeOffset now)
{
    private readonly HashSet<long> _entered = [];
    private readonly HashSet<(long InstanceId, string Step)> _stepKeys = [];
    private readonly List<FiredStep> _steps = [];
    private readonly List<InstanceEnd> _ends = [];
    private readonly List<OutboxMessage> _messages = [];

    public async Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return [];
        await FlushAsync(ct);
        var instances = await tx.EnterAsync(entries, ct);
        foreach (var instance in instances) _entered.Add(instance.Id);
        return instances;
    }

    /// <summary>True when the step is recorded now, false when it had fired already.</summary>
    public async Task<bool> RecordStepAsync(FiredStep step, CancellationToken ct)
    {
        if (!_entered.Contains(step.InstanceId)) return (await tx.RecordStepsAsync([step], ct)).Count == 1;
        if (!_stepKeys.Add((step.InstanceId, step.Step))) return false;
        _steps.Add(step);
        return true;
    }

    public Task EndAsync(InstanceEnd end, CancellationToken ct)
    {
        if (!_entered.Contains(end.InstanceId)) return tx.EndAsync([end], ct);
        _ends.Add(end);
        return Task.CompletedTask;
    }

    public void Enqueue(OutboxMessage message) => _messages.Add(message);

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_steps.Count > 0) await tx.RecordStepsAsync(_steps, ct);
        if (_messages.Count > 0) await tx.EnqueueAsync(_messages, now, ct);
        if (_ends.Count > 0) await tx.EndAsync(_ends, ct);
        _steps.Clear();
        _messages.Clear();
        _ends.Clear();
    }
}
