using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>The <c>Channels:AliyunSms</c> section: Aliyun SMS (dysmsapi), used when <c>Channels:Sms:Provider</c> is <c>aliyun</c>.</summary>
public sealed class AliyunSmsOptions
{
    public const string Section = "Channels:AliyunSms";

    public string? AccessKeyId { get; set; }
    public string? AccessKeySecret { get; set; }

    /// <summary>The approved signature Aliyun puts in 【】 before every message; <c>Templates:SignName</c> when unset.</summary>
    public string? SignName { get; set; }

    /// <summary>Aliyun's SMS endpoint; a test server's address in tests.</summary>
    public string BaseUrl { get; set; } = "https://dysmsapi.aliyuncs.com";

    public string RegionId { get; set; } = "cn-hangzhou";

}

/// <summary>Checks <c>Channels:AliyunSms</c> once Aliyun is the SMS provider: its credentials and sign name are required.</summary>
internal sealed class AliyunSmsOptionsValidator : IValidateOptions<AliyunSmsOptions>
{
    public ValidateOptionsResult Validate(string? name, AliyunSmsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.AccessKeyId))
            return ValidateOptionsResult.Fail("Channels:AliyunSms:AccessKeyId is required when Channels:Sms:Provider is 'aliyun'.");
        if (string.IsNullOrWhiteSpace(options.AccessKeySecret))
            return ValidateOptionsResult.Fail("Channels:AliyunSms:AccessKeySecret is required when Channels:Sms:Provider is 'aliyun'.");
        if (string.IsNullOrWhiteSpace(options.SignName))
            return ValidateOptionsResult.Fail("Channels:AliyunSms:SignName (or Templates:SignName) is required when Channels:Sms:Provider is 'aliyun': the signature Aliyun approved.");
        if (!ChannelSettings.IsHttpAddress(options.BaseUrl))
            return ValidateOptionsResult.Fail($"Channels:AliyunSms:BaseUrl must be an http(s) address such as https://dysmsapi.aliyuncs.com, not '{options.BaseUrl}'.");
        return ValidateOptionsResult.Success;
    }
}

public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>Aliyun as the <c>sms</c> channel.</summary>
    private static IServiceCollection AddAliyunSmsChannel(this IServiceCollection services)
    {
        services.AddChannelOptions<AliyunSmsOptions, AliyunSmsOptionsValidator>(AliyunSmsOptions.Section);
        services.AddOptions<AliyunSmsOptions>().Configure<IConfiguration>((options, configuration) => options.SignName ??= configuration["Templates:SignName"]);
        services.AddHttpChannel<AliyunSmsChannel>("sms").RetryWhatWasNeverProcessed(SmsProviders.Aliyun);
        return services;
    }
}
