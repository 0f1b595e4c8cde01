using Automation.Server.Http;

namespace Automation.Tests.Server;

/// <summary>A bad token stopping start-up is in ServerProcessTests, with the other settings.</summary>
public sealed class SmsCallbackOptionsTests
{
    [Test]
    public void Tokens_match_only_when_equal()
    {
        SmsCallbackOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token-0123456789abcdef").Should().BeTrue();
        SmsCallbackOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token-0123456789abcdeF").Should().BeFalse();
        SmsCallbackOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token").Should().BeFalse();
        SmsCallbackOptions.Matches("aliyun-token-0123456789abcdef", null).Should().BeFalse();
    }
}
