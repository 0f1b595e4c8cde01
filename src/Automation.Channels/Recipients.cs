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

    /// <summary>The customer's openid for the Official Account, from the trait <paramref name="trait"/> (<c>wechat_openid</c> by default).</summary>
    public static RecipientField WeChatOpenId(string trait) =>
        new($"WeChat openid (trait {trait})", profile => profile.Traits[trait] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var id) && id.Length > 0 ? id : null);
}
