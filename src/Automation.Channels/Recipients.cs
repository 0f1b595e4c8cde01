using Automation.Core.Messaging;

namespace Automation.Channels;

/// <summary>
/// Where the shipped channels find their recipient in a customer's profile. The file outbox standing in for a channel
/// takes that channel's, so a customer without a phone number fails the same with Twilio configured or not.
/// </summary>
public static class Recipients
{
    public static RecipientField EmailAddress { get; } = new("email address", profile => profile.Email);

    public static RecipientField PhoneNumber { get; } = new("phone number", profile => profile.Phone);

    /// <summary>The email address, else the shop's id, else the anonymous id: a webhook or a folder takes whatever names the customer.</summary>
    public static RecipientField AnyAddress { get; } = new("email address", profile => profile.Email ?? profile.ExternalId ?? profile.AnonymousId);
}
