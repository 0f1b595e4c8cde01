using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// The <c>Channels:Sms</c> section: which provider sends the <c>sms</c> channel, and Twilio's settings. Without an
/// AccountSid, Twilio's SMS go to the file outbox.
/// </summary>
public sealed class TwilioOptions
{
    public const string Section = "Channels:Sms";

    /// <summary><c>twilio</c> (free text), or <c>aliyun</c> / <c>tencent</c> (approved templates; see <see cref="SmsProviders"/>).</summary>
    public string Provider { get; set; } = SmsProviders.Twilio;

    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }

    /// <summary>The sending number (E.164); or use <see cref="MessagingServiceSid"/>.</summary>
    public string? From { get; set; }

    public string? MessagingServiceSid { get; set; }

    /// <summary>Twilio's API; a test server's address in tests.</summary>
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    /// <summary>Where Twilio posts status updates; when unset, the server sets Messaging:PublicUrl + /twilio/status.</summary>
    public string? StatusCallbackUrl { get; set; }

    /// <summary>
    /// The answer to a customer's HELP or INFO (carriers expect the sender's name and how to stop). Unset:
    /// <see cref="DefaultHelpReply"/> with the shop's sign name; empty: no answer of ours.
    /// </summary>
    public string? HelpReply { get; set; }

    /// <summary>The help text when <see cref="HelpReply"/> is unset, naming the shop when its sign name is known.</summary>
    public static string DefaultHelpReply(string? shop) =>
        $"{(string.IsNullOrWhiteSpace(shop) ? "" : $"{shop}: ")}marketing messages. Reply STOP to unsubscribe, START to resubscribe. Msg & data rates may apply.";

    /// <summary>What a HELP is answered with: <see cref="HelpReply"/>, else the default for <paramref name="shop"/>.</summary>
    public string HelpReplyFor(string? shop) => HelpReply ?? DefaultHelpReply(shop);
}

/// <summary>Checks the <c>Channels:Sms</c> section: an account needs its token and a sender.</summary>
internal sealed class TwilioOptionsValidator : IValidateOptions<TwilioOptions>
{
    public ValidateOptionsResult Validate(string? name, TwilioOptions options)
    {
        if (!SmsProviders.All.Contains(options.Provider))
            return ValidateOptionsResult.Fail($"Channels:Sms:Provider must be 'twilio', 'aliyun' or 'tencent', not '{options.Provider}'.");
        if (!string.IsNullOrWhiteSpace(options.AccountSid))
        {
            if (string.IsNullOrWhiteSpace(options.AuthToken))
                return ValidateOptionsResult.Fail("Channels:Sms:AuthToken is required when Channels:Sms:AccountSid is set.");
            if (string.IsNullOrWhiteSpace(options.From) && string.IsNullOrWhiteSpace(options.MessagingServiceSid))
                return ValidateOptionsResult.Fail("Channels:Sms:From (or Channels:Sms:MessagingServiceSid) is required when Channels:Sms:AccountSid is set.");
        }
        if (!ChannelSettings.IsHttpAddress(options.BaseUrl))
            return ValidateOptionsResult.Fail($"Channels:Sms:BaseUrl must be an http(s) address such as https://api.twilio.com, not '{options.BaseUrl}'.");
        if (options.HelpReply is { Length: > TwilioSmsChannel.MaxBodyLength })
            return ValidateOptionsResult.Fail($"Channels:Sms:HelpReply must be at most {TwilioSmsChannel.MaxBodyLength} characters, the most one SMS Twilio sends may hold.");
        if (options.StatusCallbackUrl is { } callback && !ChannelSettings.IsHttpAddress(callback))
            return ValidateOptionsResult.Fail($"Channels:Sms:StatusCallbackUrl must be an http(s) address such as https://mail.example.com/twilio/status, not '{callback}'.");
        return ValidateOptionsResult.Success;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>Twilio as the <c>sms</c> channel when <c>Channels:Sms:AccountSid</c> is set, else the file outbox.</summary>
    private static IServiceCollection AddTwilioSmsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        if (!ChannelSettings.IsSet(configuration, TwilioOptions.Section, nameof(TwilioOptions.AccountSid)))
            return services.AddFileOutboxFor("sms", Recipients.PhoneNumber);
        services.AddHttpChannel<TwilioSmsChannel>("sms").RetryWhatWasNeverProcessed("twilio");
        return services;
    }
}
