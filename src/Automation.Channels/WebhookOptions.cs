using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>The <c>Channels:Webhook</c> section. Without a Url, webhook messages go to the file outbox.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Channels:Webhook";

    public string? Url { get; set; }

    /// <summary>Signs each request; the receiver checks <c>X-Automation-Signature</c> with it.</summary>
    public string? Secret { get; set; }
}

/// <summary>Checks the <c>Channels:Webhook</c> section.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options) =>
        !string.IsNullOrWhiteSpace(options.Url) && !ChannelSettings.IsHttpAddress(options.Url)
            ? ValidateOptionsResult.Fail($"Channels:Webhook:Url must be an http(s) address such as https://hooks.example.com/automation, not '{options.Url}'.")
            : ValidateOptionsResult.Success;
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>The <c>webhook</c> channel: posts to <c>Channels:Webhook:Url</c> when it is set, else the file outbox.</summary>
    public static IServiceCollection AddWebhookChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.Section);
        return ChannelSettings.IsSet(configuration, WebhookOptions.Section, nameof(WebhookOptions.Url))
            ? services.AddHttpChannel<WebhookChannel>("webhook").Services
            : services.AddFileOutboxFor("webhook", Recipients.AnyAddress);
    }
}
