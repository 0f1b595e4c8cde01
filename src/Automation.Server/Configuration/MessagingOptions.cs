using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Messaging</c> section: the dispatcher and the unsubscribe links.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>False stops this node from sending (journeys still queue messages).</summary>
    public bool Dispatch { get; set; } = true;

    /// <summary>Base64 key (32 bytes or more) that signs unsubscribe links. Without one a key is generated into data/ (one node only).</summary>
    public string? SigningKey { get; set; }

    /// <summary>The address customers reach this server at, for unsubscribe links. Defaults to the first of Urls.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Where a phone number without a country code is from (ISO 3166: CN, US…): with CN, an ingested 13800138000 is
    /// stored as +8613800138000. Without one, only international numbers (+…, 00…) are accepted.
    /// </summary>
    public string? DefaultRegion { get; set; }

    public int BatchSize { get; set; } = 100;
    /// <summary>
    /// Messages sent at once per node, which is also how many a crash of the node can send twice. 16 measured 1.4× the
    /// email and SMS throughput of 8 on the reference machine (docs/performance.md).
    /// </summary>
    public int Concurrency { get; set; } = 16;
    public int MaxAttempts { get; set; } = 8;
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How long a claimed message stays reserved for the node that claimed it. A crashed node's messages go back to the
    /// pool when it ends, so shorter means a faster recovery; it must stay well above the time one batch takes, or a
    /// slow but live node's messages are claimed again and sent twice.
    /// </summary>
    public int LeaseSeconds { get; set; } = 300;

    internal DispatchSettings ToDispatchSettings(string defaultCurrency) =>
        new(BatchSize, Concurrency, MaxAttempts, TimeSpan.FromSeconds(LeaseSeconds), defaultCurrency);
}

internal sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        if (options.SigningKey is { } key)
        {
            try
            {
                if (Convert.FromBase64String(key).Length < 32) return ValidateOptionsResult.Fail("Messaging:SigningKey must be base64 of at least 32 bytes (for example `openssl rand -base64 32`).");
            }
            catch (FormatException)
            {
                return ValidateOptionsResult.Fail("Messaging:SigningKey must be base64 of at least 32 bytes (for example `openssl rand -base64 32`).");
            }
        }
        if (options.PublicUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            return ValidateOptionsResult.Fail($"Messaging:PublicUrl must be an http(s) address such as https://mail.example.com, not '{url}'.");
        if (options.DefaultRegion is { } region && !Core.Ingestion.ProfileTraits.IsPhoneRegion(region))
            return ValidateOptionsResult.Fail($"Messaging:DefaultRegion must be a two-letter region code such as CN or US, not '{region}'.");
        if (options.BatchSize is < 1 or > 10_000) return ValidateOptionsResult.Fail("Messaging:BatchSize must be from 1 to 10000.");
        if (options.Concurrency is < 1 or > 256) return ValidateOptionsResult.Fail("Messaging:Concurrency must be from 1 to 256.");
        if (options.MaxAttempts is < 1 or > 100) return ValidateOptionsResult.Fail("Messaging:MaxAttempts must be from 1 to 100.");
        if (options.PollMilliseconds is < 10 or > 60_000) return ValidateOptionsResult.Fail("Messaging:PollMilliseconds must be from 10 to 60000.");
        if (options.LeaseSeconds is < 1 or > 86_400) return ValidateOptionsResult.Fail("Messaging:LeaseSeconds must be from 1 to 86400.");
        return ValidateOptionsResult.Success;
    }
}
