using Automation.Core.Messaging;

namespace Automation.Tests.Core.Messaging;

/// <summary>What <see cref="EmailTracking.Apply"/> says an email carries: what the reports take as tracked.</summary>
public sealed class EmailTrackingTests
{
    private const string PublicUrl = "https://mail.shop.example";
    private static readonly byte[] Key = new byte[32];

    [Test]
    public void An_email_carries_the_pixel_and_tracked_links_only_as_far_as_they_were_added()
    {
        const string withLink = "<html><body><a href=\"https://shop.example/sale\">Sale</a><a href=\"https://mail.shop.example/u/abc\">Unsubscribe</a></body></html>";
        const string unsubscribeOnly = "<html><body><p>Hi</p><a href=\"https://mail.shop.example/u/abc\">Unsubscribe</a></body></html>";

        var (html, carried) = new EmailTracking(Key, PublicUrl, opens: true, clicks: true).Apply(7, withLink);
        carried.Should().Be(new CarriedTracking(Pixel: true, Links: true));
        html.Should().Contain($"{PublicUrl}/t/o/").And.Contain($"{PublicUrl}/t/c/").And.Contain($"{PublicUrl}/u/abc");

        new EmailTracking(Key, PublicUrl, opens: true, clicks: true).Apply(7, unsubscribeOnly).Carried
            .Should().Be(new CarriedTracking(Pixel: true, Links: false), "the unsubscribe link is never a redirect, so nothing could be clicked and tracked");
        new EmailTracking(Key, PublicUrl, opens: false, clicks: true).Apply(7, withLink).Carried.Should().Be(new CarriedTracking(Pixel: false, Links: true));
        var off = EmailTracking.Off.Apply(7, withLink);
        off.Carried.Should().Be(CarriedTracking.None);
        off.Html.Should().Be(withLink);
    }
}
