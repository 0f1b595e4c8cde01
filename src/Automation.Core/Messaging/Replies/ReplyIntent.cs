namespace Automation.Core.Messaging.Replies;

/// <summary>What a customer's reply to a message asks for.</summary>
public enum ReplyIntent
{
    /// <summary>An ordinary reply: recorded and raised as <c>SMS Replied</c> on the customer; nothing else changes.</summary>
    None,

    /// <summary>STOP and its synonyms: no more marketing on this channel to this number.</summary>
    OptOut,

    /// <summary>START and its synonyms: marketing may resume, if the number was suppressed by a STOP.</summary>
    OptIn,

    /// <summary>HELP or INFO: answered with the shop's help text where the provider lets a reply be answered; nothing changes.</summary>
    Help,
}
