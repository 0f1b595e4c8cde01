namespace Automation.Core.Messaging;

/// <summary>
/// Reasons a suppression is stored with that code acts on. Only a suppression with <see cref="RepliedStop"/> is lifted
/// by the customer's own START: a hard bounce, an unsubscribe link or a suppression added by support stays until
/// support lifts it (<c>DELETE /v1/suppressions/{channel}/{address}</c>), because a reply proves only that the number
/// can text, not that the earlier reason went away.
/// </summary>
public static class SuppressionReasons
{
    /// <summary>The customer replied STOP (or a synonym), to us or to the provider (Twilio's error 21610).</summary>
    public const string RepliedStop = "replied STOP";
}
