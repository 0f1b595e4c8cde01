using System.Text.Json;

namespace Automation.Core.Audit;

/// <summary>Who made a change: a console user, an API key, a command run on the server, or the server itself.</summary>
/// <param name="Name">The user's name, the API key's name, the command's user, or the part of the server (such as <c>dispatcher</c>).</param>
public sealed record AuditActor(string Name, AuditActorKind Kind)
{
    public static AuditActor Console(string user) => new(user, AuditActorKind.Console);

    public static AuditActor Api(string keyName) => new(keyName, AuditActorKind.Api);

    public static AuditActor Cli(string user) => new(user, AuditActorKind.Cli);

    public static AuditActor System(string part) => new(part, AuditActorKind.System);
}

/// <summary>The kinds of <see cref="AuditActor"/>, stored as their lower-case names.</summary>
public enum AuditActorKind
{
    Console,
    Api,
    Cli,
    System,
}

/// <summary>
/// One entry of the audit log: who did what to what, when, and the target's state before and after as JSON text (null
/// where there was none: before an add, after a removal).
/// </summary>
/// <param name="Action">What was done, one of <see cref="AuditActions"/>.</param>
/// <param name="Target">What it was done to, as <c>kind:id</c>: <c>email:ann@example.com</c>, <c>broadcast:42</c>, <c>user:ann</c>.</param>
public sealed record AuditEntry(DateTimeOffset At, AuditActor Actor, string Action, string Target, string? Before, string? After)
{
    /// <summary>A state as the JSON text <see cref="Before"/> and <see cref="After"/> hold (web naming: camelCase).</summary>
    public static string? Json<T>(T? state) => state is null ? null : JsonSerializer.Serialize(state, JsonSerializerOptions.Web);
}

/// <summary>A stored <see cref="AuditEntry"/> with its id: ids grow with every entry, so they order the log.</summary>
public sealed record AuditRecord(long Id, AuditEntry Entry);

/// <summary>The actions the audit log records.</summary>
public static class AuditActions
{
    public const string SuppressionAdd = "suppression.add";
    public const string SuppressionRemove = "suppression.remove";
    public const string BroadcastCreate = "broadcast.create";
    public const string BroadcastCancel = "broadcast.cancel";
    public const string BroadcastStart = "broadcast.start";
    public const string UserSignIn = "user.sign_in";
    public const string UserSignInRefused = "user.sign_in_refused";
    public const string UserRoleChanged = "user.role_changed";
    public const string ContentPublish = "content.publish";
    public const string ContentRollback = "content.rollback";
    public const string JourneyApplyToRunning = "journey.apply_to_running";

    /// <summary>The target of a suppression: its channel and address.</summary>
    public static string SuppressionTarget(string channel, string address) => $"{channel}:{address}";

    public static string BroadcastTarget(long id) => $"broadcast:{id}";

    public static string UserTarget(string name) => $"user:{name}";
}
