using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Automation.Server.Http;

/// <summary>
/// The secret in every callback address of the Chinese SMS providers — delivery receipts and replies alike, as
/// <c>?token=…</c> — read from their channel sections: <c>Channels:AliyunSms:CallbackToken</c> and
/// <c>Channels:TencentSms:CallbackToken</c>. Aliyun and Tencent sign none of their pushes, so the unguessable token in
/// the address configured at the provider is what tells a genuine callback from a forged one. Without a token the
/// provider's callback routes do not exist (404).
/// </summary>
public sealed class SmsCallbackOptions
{
    /// <summary>The key of Aliyun's token.</summary>
    public const string AliyunKey = "Channels:AliyunSms:CallbackToken";

    /// <summary>The key of Tencent's token.</summary>
    public const string TencentKey = "Channels:TencentSms:CallbackToken";

    /// <summary>Shortest token accepted: 128 bits of base64 or hex is beyond guessing.</summary>
    public const int MinimumTokenLength = 22;

    /// <summary>The token in Aliyun's receipt and SmsUp push addresses, or null (no routes).</summary>
    public string? AliyunCallbackToken { get; set; }

    /// <summary>The token in Tencent's status and reply callback addresses, or null (no routes).</summary>
    public string? TencentCallbackToken { get; set; }

    /// <summary>
    /// Whether <paramref name="presented"/> is the configured token, in time that depends on neither (both are hashed
    /// first, so not even their lengths are compared directly).
    /// </summary>
    public static bool Matches(string configured, string? presented) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(configured)), SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? "")));

    internal static void Register(IServiceCollection services)
    {
        services.AddOptions<SmsCallbackOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.AliyunCallbackToken = NullIfBlank(configuration[AliyunKey]);
            options.TencentCallbackToken = NullIfBlank(configuration[TencentKey]);
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmsCallbackOptions>, SmsCallbackOptionsValidator>();
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

internal sealed class SmsCallbackOptionsValidator : IValidateOptions<SmsCallbackOptions>
{
    public ValidateOptionsResult Validate(string? name, SmsCallbackOptions options) =>
        Check(SmsCallbackOptions.AliyunKey, options.AliyunCallbackToken) ?? Check(SmsCallbackOptions.TencentKey, options.TencentCallbackToken) ?? ValidateOptionsResult.Success;

    private static ValidateOptionsResult? Check(string key, string? token) =>
        token is null ? null
        : token.Length < SmsCallbackOptions.MinimumTokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? ValidateOptionsResult.Fail($"{key} must be at least {SmsCallbackOptions.MinimumTokenLength} letters, digits, '-' or '_' (for example `openssl rand -hex 16`).")
            : null;
}
