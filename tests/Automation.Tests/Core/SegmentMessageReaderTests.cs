using System.Text;
using Automation.Core.Ingestion;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core;

public sealed class SegmentMessageReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SegmentMessageReader _reader = new(new FakeTimeProvider(Now));

    private ReadResult Track(string json) => _reader.ReadMessage(Encoding.UTF8.GetBytes(json), MessageType.Track);

    [Test]
    public void The_timestamp_field_wins_and_is_kept_in_utc()
    {
        var m = Track("""{"userId":"u","event":"E","timestamp":"2026-06-30T20:00:00+08:00","originalTimestamp":"2020-01-01T00:00:00Z"}""").Messages[0];
        m.Timestamp.Should().Be(new DateTimeOffset(2026, 6, 30, 12, 0, 0, TimeSpan.Zero));
        m.Timestamp.Offset.Should().Be(TimeSpan.Zero);
    }

    [Test]
    public void Without_a_timestamp_the_device_clock_skew_is_corrected_as_Segment_does()
    {
        // The device clock runs 10 minutes fast: it sent at 12:10 by its clock, which was 12:00 here.
        var m = Track("""{"userId":"u","event":"E","originalTimestamp":"2026-07-01T12:05:00Z","sentAt":"2026-07-01T12:10:00Z"}""").Messages[0];
        m.Timestamp.Should().Be(Now.AddMinutes(-5));
    }

    [Test]
    public void Without_any_time_the_receive_time_is_used()
    {
        var m = Track("""{"userId":"u","event":"E"}""").Messages[0];
        m.Timestamp.Should().Be(Now);
        m.ReceivedAt.Should().Be(Now);
        m.MessageId.Should().NotBeNullOrEmpty();
    }

    [Test]
    public void Numeric_ids_are_read_as_text()
    {
        var m = Track("""{"userId":12345,"event":"E"}""").Messages[0];
        m.UserId.Should().Be("12345");
    }

    [Test]
    public void Time_zone_and_locale_come_from_the_context_when_traits_lack_them()
    {
        var m = _reader.ReadMessage(Encoding.UTF8.GetBytes("""{"userId":"u","traits":{"email":"a@b.co"},"context":{"timezone":"America/New_York","locale":"en-US"}}"""), MessageType.Identify).Messages[0];
        m.Properties["timezone"]!.GetValue<string>().Should().Be("America/New_York");
        m.Properties["locale"]!.GetValue<string>().Should().Be("en-US");
    }

    [Test]
    public void A_batch_level_context_and_sent_at_apply_to_every_message()
    {
        var result = _reader.ReadBatch(Encoding.UTF8.GetBytes("""
            {"sentAt":"2026-07-01T12:01:00Z","context":{"timezone":"Asia/Tokyo"},"batch":[
              {"type":"identify","userId":"a","traits":{}},
              {"type":"identify","userId":"b","traits":{},"originalTimestamp":"2026-07-01T11:01:00Z"}]}
            """));
        result.Errors.Should().BeEmpty();
        result.Messages.Select(m => m.Properties["timezone"]!.GetValue<string>()).Should().Equal("Asia/Tokyo", "Asia/Tokyo");
        result.Messages[1].Timestamp.Should().Be(Now.AddHours(-1));
    }

    [Test]
    public void Order_total_falls_back_to_revenue_then_to_the_products()
    {
        var fromRevenue = (OrderCompleted)Track("""{"userId":"u","event":"Order Completed","properties":{"order_id":"1","revenue":"19.90"}}""").Messages[0].Commerce!;
        fromRevenue.Total.Should().Be(19.90m);

        var fromProducts = (OrderCompleted)Track("""{"userId":"u","event":"Order Completed","properties":{"order_id":2,"coupon":"WELCOME","products":[{"product_id":"a","price":3,"quantity":2},{"sku":"b","price":4}]}}""").Messages[0].Commerce!;
        fromProducts.OrderId.Should().Be("2");
        fromProducts.Total.Should().Be(10m);
        fromProducts.Coupon.Should().Be("WELCOME");
        fromProducts.Products.Select(p => p.ProductId).Should().Equal("a", "b");
    }

    [Test]
    public void A_refund_without_an_amount_refunds_the_whole_order()
    {
        Track("""{"userId":"u","event":"Order Refunded","properties":{"order_id":"1"}}""").Messages[0].Commerce
            .Should().Be(new OrderRefunded("1", null));
        Track("""{"userId":"u","event":"Order Refunded","properties":{"order_id":"1","total":5}}""").Messages[0].Commerce
            .Should().Be(new OrderRefunded("1", 5m));
    }

    [Test]
    public void Product_errors_name_the_index_in_the_products_list()
    {
        var result = Track("""{"userId":"u","event":"Order Completed","properties":{"order_id":"1","products":[{"product_id":"a"},{"price":-1},"x"]}}""");
        result.Errors.Select(e => e.Field).Should().BeEquivalentTo(
            "properties.products[1].product_id", "properties.products[1].price", "properties.products[2]");
    }

    [Test]
    public void Unsupported_batch_types_are_named()
    {
        var result = _reader.ReadBatch(Encoding.UTF8.GetBytes("""{"batch":[{"type":"wave","userId":"u"}]}"""));
        result.Errors.Should().BeEmpty();
        result.Rejected.Should().ContainSingle().Which.Errors.Should().ContainSingle()
            .Which.Should().Be(new FieldError("batch[0].type", "'wave' is not supported: use identify, track, page, screen, group or alias"));
    }

    [TestCase("+1 (415) 555-0123", "+14155550123")]
    [TestCase("0086 138 0013 8000", "+8613800138000")]
    [TestCase("+44.20.7946.0958", "+442079460958")]
    [TestCase("415-555-0123", null)]
    [TestCase("13800138000", null)]
    [TestCase("+86 12345", null)]
    [TestCase("+0 123 456 789", null)]
    [TestCase("+1 555 CALL NOW", null)]
    [TestCase("+123", null)]
    public void Phones_are_normalised_to_E164(string raw, string? expected) =>
        ProfileTraits.NormalizePhone(raw).Should().Be(expected);

    [TestCase("13800138000", "CN", "+8613800138000")]
    [TestCase("138 0013 8000", "CN", "+8613800138000")]
    [TestCase("+1 (415) 555-0123", "CN", "+14155550123")]
    [TestCase("0086 138 0013 8000", "US", "+8613800138000")]
    [TestCase("(415) 555-0123", "US", "+14155550123")]
    [TestCase("+1 917 555 9999", "US", "+19175559999")]
    [TestCase("+1 555 000 0001", "US", null)]
    [TestCase("12345", "CN", null)]
    [TestCase("23800138000", "CN", null)]
    public void National_numbers_are_read_in_the_default_region(string raw, string region, string? expected) =>
        ProfileTraits.NormalizePhone(raw, region).Should().Be(expected);

    [Test]
    public void An_invalid_phone_rejects_its_message_alone_and_a_national_one_is_stored_international()
    {
        var reader = new SegmentMessageReader(new FakeTimeProvider(Now), defaultRegion: "CN");
        var result = reader.ReadBatch(Encoding.UTF8.GetBytes("""
            {"batch":[
              {"type":"identify","userId":"cn","traits":{"phone":"13800138000"}},
              {"type":"identify","userId":"bad","traits":{"phone":"12345"}},
              {"type":"track","userId":"cn","event":"E"}
            ]}
            """));

        result.Errors.Should().BeEmpty("one bad number is no problem of the whole batch");
        result.Messages.Should().HaveCount(2);
        result.Messages[0].Properties["phone"]!.GetValue<string>().Should().Be("+8613800138000");
        result.Rejected.Should().ContainSingle().Which.Errors.Should().Equal(
            new FieldError("batch[1].traits.phone", "'12345' is not a valid phone number of CN nor an international number such as +14155550123"));
    }
}
