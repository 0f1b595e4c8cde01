using Automation.Core.Audit;
using Automation.Core.Storage;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// At start: names, once, the console users configured without a role (admins, as before roles existed), and records
/// in the audit log each user whose role differs from the roles stored when a node last started (added, removed or
/// changed), under the database's start-up lock so nodes starting together record a change once.
/// </summary>
internal sealed partial class ConsoleRolesAtStart(IOptions<ConsoleOptions> options, IAuditLog audit, TimeProvider clock, ILogger<ConsoleRolesAtStart> logger)
    : IHostedService
{
    /// <summary>Who changes roles, in the audit log: the configuration, read by the node that noticed.</summary>
    private static readonly AuditActor Configuration = AuditActor.System("configuration");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var users = options.Value.Users;
        for (var i = 0; i < users.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(users[i].Role)) LogNoRole(logger, users[i].Name, i);
        }
        var roles = users.ToDictionary(u => u.Name, u => ConsoleRoles.Word(u.EffectiveRole), StringComparer.Ordinal);
        foreach (var change in await audit.RecordRoleChangesAsync(roles, Configuration, clock.GetUtcNow(), cancellationToken))
            LogRoleChanged(logger, change.Target, change.Before ?? "none", change.After ?? "none");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console user {Name} (Console:Users:{Index}) has no Role: treated as admin, as before roles existed. Set Console:Users:{Index}:Role to viewer, editor, publisher or admin.")]
    private static partial void LogNoRole(ILogger logger, string name, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console role of {Target} changed from {Before} to {After} (recorded in the audit log).")]
    private static partial void LogRoleChanged(ILogger logger, string target, string before, string after);
}
