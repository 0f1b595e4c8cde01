using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Automation.Channels;

/// <summary>
/// The providers the <c>sms</c> channel can send through, chosen by <c>Channels:Sms:Provider</c>. Journeys name the
/// channel <c>sms</c> whichever it is, so moving a shop from Twilio to Aliyun changes a setting, not its journeys.
/// </summary>
public static class SmsProviders
{
    public const string Twilio = "twilio";
    public const string Aliyun = "aliyun";
    public const string Tencent = "tencent";

    public static IReadOnlyList<string> All { get; } = [Twilio, Aliyun, Tencent];

    /// <summary>The provider <c>Channels:Sms:Provider</c> names; Twilio when unset.</summary>
    public static string Of(IConfiguration configuration) =>
        configuration[$"{TwilioOptions.Section}:{nameof(TwilioOptions.Provider)}"] is { Length: > 0 } provider ? provider : Twilio;

    /// <summary>The provider when it sends approved templates only (Aliyun, Tencent), whose code every SMS template must name; else null.</summary>
    public static string? TemplateBased(IConfiguration configuration) => Of(configuration) is Aliyun or Tencent ? Of(configuration) : null;

    /// <summary>
    /// Retries within the call only what the provider never processed (429, 503, no connection); anything else is the
    /// outbox's to retry with its backoff, so a message the provider took is never sent twice by this handler.
    /// </summary>
    internal static IHttpClientBuilder RetryWhatWasNeverProcessed(this IHttpClientBuilder client, string name)
    {
        client.AddResilienceHandler(name, pipeline => pipeline
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException
                    || args.Outcome.Result?.StatusCode is System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.ServiceUnavailable),
            })
            .AddTimeout(TimeSpan.FromSeconds(15)));
        return client;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>
    /// The <c>sms</c> channel through the provider <c>Channels:Sms:Provider</c> names: Twilio (the file outbox until
    /// its account is set), Aliyun or Tencent Cloud (whose credentials are then required at start).
    /// </summary>
    public static IServiceCollection AddSmsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<TwilioOptions, TwilioOptionsValidator>(TwilioOptions.Section);
        return SmsProviders.Of(configuration) switch
        {
            SmsProviders.Aliyun => services.AddAliyunSmsChannel(),
            SmsProviders.Tencent => services.AddTencentSmsChannel(),
            _ => services.AddTwilioSmsChannel(configuration),
        };
    }
}
