namespace Automation.Core.Messaging.Replies;

/// <summary>
/// A customer's reply to a message, as a provider delivered it.
/// </summary>
/// <param name="Provider">Who delivered it: <c>twilio</c>, <c>aliyun</c>, <c>tencent</c>.</param>
/// <param name="Key">Unique per reply at that provider (Twilio's MessageSid, Aliyun's sequence_id, a digest of Tencent's
/// fields): a second delivery of the same reply has the same key and changes nothing.</param>
/// <param name="Channel">The channel it came in on (<c>sms</c>); suppressions are per channel.</param>
/// <param name="Sender">The customer's number in E.164.</param>
/// <param name="Text">What they wrote.</param>
/// <param name="SentAt">When they sent it, as the provider says, or null when it does not say.</param>
public sealed record InboundReply(string Provider, string Key, string Channel, string Sender, string Text, DateTimeOffset? SentAt);
