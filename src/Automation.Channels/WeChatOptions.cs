using System.Text.RegularExpressions;
using Automation.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Automation.Channels;

/// <summary>The <c>Channels:WeChat</c> section (an Official Account). Without an AppId, WeChat messages go to the file outbox.</summary>
public sealed class WeChatOptions
{
    public const string Section = "Channels:WeChat";

    /// <summary>The Official Account's AppID: <c>wx</c> and 16 hexadecimal digits.</summary>
    public string? AppId { get; set; }

    /// <summary>The Official Account's AppSecret: 32 hexadecimal digits.</summary>
    public string? AppSecret { get; set; }

    /// <summary>WeChat's API; a test server's address in tests.</summary>
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com";

    /// <summary>The customer trait holding the openid of the customer as a follower of this Official Account.</summary>
    public string OpenIdTrait { get; set; } = "wechat_openid";
}

/// <summary>Checks the <c>Channels:WeChat</c> section: an AppId needs its AppSecret, each in WeChat's form.</summary>
internal sealed partial class WeChatOptionsValidator : IValidateOptions<WeChatOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.AppId))
        {
            if (!AppIdPattern().IsMatch(options.AppId))
                return ValidateOptionsResult.Fail($"Channels:WeChat:AppId must be 'wx' and 16 hexadecimal digits (wx1234567890abcdef), not '{options.AppId}'.");
            if (string.IsNullOrWhiteSpace(options.AppSecret))
                return ValidateOptionsResult.Fail("Channels:WeChat:AppSecret is required when Channels:WeChat:AppId is set.");
            if (!SecretPattern().IsMatch(options.AppSecret))
                return ValidateOptionsResult.Fail("Channels:WeChat:AppSecret must be the 32 hexadecimal digits the Official Account's console shows.");
        }
        if (!ChannelSettings.IsHttpAddress(options.BaseUrl))
            return ValidateOptionsResult.Fail($"Channels:WeChat:BaseUrl must be an http(s) address such as https://api.weixin.qq.com, not '{options.BaseUrl}'.");
        if (string.IsNullOrWhiteSpace(options.OpenIdTrait))
            return ValidateOptionsResult.Fail("Channels:WeChat:OpenIdTrait must name the customer trait that holds the openid, such as wechat_openid.");
        return ValidateOptionsResult.Success;
    }

    [GeneratedRegex("^wx[0-9a-fA-F]{16}$")]
    private static partial Regex AppIdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex SecretPattern();
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>The <c>wechat</c> channel: the Official Account's template messages when <c>Channels:WeChat:AppId</c> is set, else the file outbox.</summary>
    public static IServiceCollection AddWeChatChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChannelOptions<WeChatOptions, WeChatOptionsValidator>(WeChatOptions.Section);
        var trait = configuration[$"{WeChatOptions.Section}:{nameof(WeChatOptions.OpenIdTrait)}"] is { Length: > 0 } t ? t : new WeChatOptions().OpenIdTrait;
        if (!ChannelSettings.IsSet(configuration, WeChatOptions.Section, nameof(WeChatOptions.AppId)))
            return services.AddFileOutboxFor(WeChatChannel.Name, Recipients.WeChatOpenId(trait));

        services.AddSingleton(sp => new WeChatAccessTokens(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WeChatAccessTokens)), sp.GetRequiredService<IOptions<WeChatOptions>>(),
            sp.GetRequiredService<IProviderTokenStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient(nameof(WeChatAccessTokens)).AddResilienceHandler("wechat-token", Resilience);
        services.AddHttpChannel<WeChatChannel>(WeChatChannel.Name).AddResilienceHandler("wechat", Resilience);
        return services;
    }

    // Retries here only what never reached WeChat; its own busy answers (-1, 45009) come back as HTTP 200 and are the
    // outbox's to retry with its longer backoff.
    private static void Resilience(ResiliencePipelineBuilder<HttpResponseMessage> pipeline) => pipeline
        .AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException),
        })
        .AddTimeout(TimeSpan.FromSeconds(15));
}
