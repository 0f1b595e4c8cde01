using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>The <c>Channels:TencentSms</c> section: Tencent Cloud SMS (API 2021-01-11), used when <c>Channels:Sms:Provider</c> is <c>tencent</c>.</summary>
public sealed class TencentSmsOptions
{
    public const string Section = "Channels:TencentSms";

    public string? SecretId { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>The SMS application's SdkAppId (a number such as 1400006666), from the SMS console.</summary>
    public string? SdkAppId { get; set; }

    /// <summary>The approved signature Tencent puts in 【】 before every message; <c>Templates:SignName</c> when unset.</summary>
    public string? SignName { get; set; }

    public string Region { get; set; } = "ap-guangzhou";

    /// <summary>Tencent Cloud's SMS endpoint; a test server's address in tests.</summary>
    public string BaseUrl { get; set; } = "https://sms.tencentcloudapi.com";

}

/// <summary>Checks <c>Channels:TencentSms</c> once Tencent Cloud is the SMS provider: its credentials, app and sign name are required.</summary>
internal sealed class TencentSmsOptionsValidator : IValidateOptions<TencentSmsOptions>
{
    public ValidateOptionsResult Validate(string? name, TencentSmsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SecretId))
            return ValidateOptionsResult.Fail("Channels:TencentSms:SecretId is required when Channels:Sms:Provider is 'tencent'.");
        if (string.IsNullOrWhiteSpace(options.SecretKey))
            return ValidateOptionsResult.Fail("Channels:TencentSms:SecretKey is required when Channels:Sms:Provider is 'tencent'.");
        if (string.IsNullOrWhiteSpace(options.SdkAppId) || !options.SdkAppId.All(char.IsAsciiDigit))
            return ValidateOptionsResult.Fail($"Channels:TencentSms:SdkAppId must be the SMS application's number such as 1400006666, not '{options.SdkAppId}'.");
        if (string.IsNullOrWhiteSpace(options.SignName))
            return ValidateOptionsResult.Fail("Channels:TencentSms:SignName (or Templates:SignName) is required when Channels:Sms:Provider is 'tencent': the signature Tencent approved.");
        if (!ChannelSettings.IsHttpAddress(options.BaseUrl))
            return ValidateOptionsResult.Fail($"Channels:TencentSms:BaseUrl must be an http(s) address such as https://sms.tencentcloudapi.com, not '{options.BaseUrl}'.");
        return ValidateOptionsResult.Success;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>Tencent Cloud as the <c>sms</c> channel.</summary>
    private static IServiceCollection AddTencentSmsChannel(this IServiceCollection services)
    {
        services.AddChannelOptions<TencentSmsOptions, TencentSmsOptionsValidator>(TencentSmsOptions.Section);
        services.AddOptions<TencentSmsOptions>().Configure<IConfiguration>((options, configuration) => options.SignName ??= configuration["Templates:SignName"]);
        services.AddHttpChannel<TencentSmsChannel>("sms").RetryWhatWasNeverProcessed(SmsProviders.Tencent);
        return services;
    }
}
