using Automation.Core.Audit;

namespace Automation.Core.Storage;

/// <summary>How many active instances of a journey run one version of it (<see cref="Hash"/>; null: entered before versions).</summary>
public sealed record RunningVersion(string? Hash, long Instances);

/// <summary>
/// The versions a journey's active instances run, and "apply to running": moving them all to one version in the
/// statement that moves them, so however many publishers apply at once, each instance is moved once.
/// </summary>
public interface IJourneyVersions
{
    /// <summary>The journey's active instances counted by the version they run.</summary>
    Task<IReadOnlyList<RunningVersion>> RunningVersionsAsync(string journey, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the journey's active instances on any other version to <paramref name="hash"/>, with the audit entry in the
    /// same transaction when any moved; returns how many moved.
    /// </summary>
    Task<long> ApplyToRunningAsync(string journey, string hash, AuditEntry audit, CancellationToken cancellationToken);
}
