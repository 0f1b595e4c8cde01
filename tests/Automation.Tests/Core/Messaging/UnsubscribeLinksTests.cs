using System.Security.Cryptography;
using System.Text;
using Automation.Core.Messaging;

namespace Automation.Tests.Core.Messaging;

/// <summary>Unsubscribe tokens: opaque, unforgeable, and the links already sent in the earlier form still honoured.</summary>
public sealed class UnsubscribeLinksTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private readonly UnsubscribeLinks _links = new(Key, "https://shop.example");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Test]
    public void A_token_shows_neither_the_address_nor_the_channel_in_any_readable_form_and_reads_back()
    {
        var token = _links.Token("email", "ann.lee@example.com", "zh-CN");

        foreach (var secret in new[] { "ann.lee@example.com", "example.com", "email\nann.lee@example.com" })
        {
            token.Should().NotContain(secret);
            token.Should().NotContain(Base64Url(Encoding.UTF8.GetBytes(secret))[..12]);
            Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token))).Should().NotContain("ann.lee");
        }
        _links.Read(token).Should().Be(new UnsubscribeTarget("email", "ann.lee@example.com", "zh-CN"));
        _links.Token("email", "ann.lee@example.com").Should().NotBe(_links.Token("email", "ann.lee@example.com"), "a fresh nonce each time");
    }

    [Test]
    public void A_tampered_truncated_or_foreign_token_reads_as_nothing()
    {
        var token = _links.Token("sms", "+8613800138000", null);
        var bytes = Convert.FromBase64String(Pad(token));
        bytes[^1] ^= 1;
        _links.Read(Base64Url(bytes)).Should().BeNull();
        _links.Read(token[..20]).Should().BeNull();
        _links.Read("not a token!").Should().BeNull();
        new UnsubscribeLinks(new byte[32], "https://shop.example").Read(token).Should().BeNull("another key");
    }

    [Test]
    public void A_link_of_the_earlier_signed_form_is_still_honoured()
    {
        var payload = Encoding.UTF8.GetBytes("email\nbo@example.com");
        var legacy = $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(Key, payload)[..16])}";
        _links.Read(legacy).Should().Be(new UnsubscribeTarget("email", "bo@example.com", null));
        _links.Read(legacy[..^2] + "xx").Should().BeNull();
    }

    private static string Pad(string base64Url)
    {
        var padded = base64Url.Replace('-', '+').Replace('_', '/');
        return padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
    }
}
