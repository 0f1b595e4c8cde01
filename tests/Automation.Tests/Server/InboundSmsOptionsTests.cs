using Automation.Server.Http;

namespace Automation.Tests.Server;

/// <summary>A bad token stopping start-up is in ServerProcessTests, with the other settings.</summary>
public sealed class InboundSmsOptionsTests
{
    [Test]
    public void Tokens_match_only_when_equal()
    {
        InboundSmsOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token-0123456789abcdef").Should().BeTrue();
        InboundSmsOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token-0123456789abcdeF").Should().BeFalse();
        InboundSmsOptions.Matches("aliyun-token-0123456789abcdef", "aliyun-token").Should().BeFalse();
        InboundSmsOptions.Matches("aliyun-token-0123456789abcdef", null).Should().BeFalse();
    }
}
