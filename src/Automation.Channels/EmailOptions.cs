using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>The <c>Channels:Email</c> section. Without a Host, email goes to the file outbox.</summary>
public sealed class EmailOptions
{
    public const string Section = "Channels:Email";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;

    /// <summary><c>Auto</c>, <c>None</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c> or <c>SslOnConnect</c>.</summary>
    public string Security { get; set; } = "Auto";

    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "automation@localhost";
    public string? FromName { get; set; }

    /// <summary>Connections kept open and reused; also the most messages in flight at once.</summary>
    public int PoolSize { get; set; } = 4;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><c>Channels:Email:Tracking</c>: open pixel and click redirects, both off unless turned on (see docs/channels.md).</summary>
    public EmailTrackingOptions Tracking { get; set; } = new();
}

/// <summary>The <c>Channels:Email:Tracking</c> section: which engagement an email records about its reader.</summary>
public sealed class EmailTrackingOptions
{
    /// <summary>Adds a 1×1 pixel whose loading records <c>Email Opened</c>.</summary>
    public bool Opens { get; set; }

    /// <summary>Makes each http(s) link a signed redirect whose following records <c>Email Link Clicked</c>.</summary>
    public bool Clicks { get; set; }
}

/// <summary>Checks the <c>Channels:Email</c> section, whether or not a Host is set, so a mistake shows before it matters.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    private static readonly string[] SecurityNames = Enum.GetNames<SecureSocketOptions>();

    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        if (options.Port is < 1 or > 65535) return ValidateOptionsResult.Fail($"Channels:Email:Port must be from 1 to 65535, not {options.Port}.");
        if (!SecurityNames.Contains(options.Security, StringComparer.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail($"Channels:Email:Security must be one of {string.Join(", ", SecurityNames)}, not '{options.Security}'.");
        if (!ChannelSettings.IsEmailAddress(options.From))
            return ValidateOptionsResult.Fail($"Channels:Email:From must be an email address such as shop@example.com, not '{options.From}'.");
        if (options.PoolSize is < 1 or > 100) return ValidateOptionsResult.Fail($"Channels:Email:PoolSize must be from 1 to 100, not {options.PoolSize}.");
        if (options.TimeoutSeconds is < 1 or > 3600) return ValidateOptionsResult.Fail($"Channels:Email:TimeoutSeconds must be from 1 to 3600, not {options.TimeoutSeconds}.");
        return ValidateOptionsResult.Success;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>The <c>email</c> channel: SMTP when <c>Channels:Email:Host</c> is set, else the file outbox.</summary>
    public static IServiceCollection AddEmailChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<EmailOptions, EmailOptionsValidator>(EmailOptions.Section);
        return ChannelSettings.IsSet(configuration, EmailOptions.Section, nameof(EmailOptions.Host))
            ? services.AddChannel<EmailChannel>("email")
            : services.AddFileOutboxFor("email", Recipients.EmailAddress);
    }
}
