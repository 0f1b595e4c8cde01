using Automation.Server.MarketerConsole;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>What the console writes for people: intervals in words, events as fields.</summary>
public sealed class ReadableTextTests
{
    [TestCase(1, 0, 0, "daily")]
    [TestCase(7, 0, 0, "weekly")]
    [TestCase(14, 0, 0, "every 2 weeks")]
    [TestCase(2, 0, 0, "every 2 days")]
    [TestCase(0, 6, 0, "every 6 hours")]
    [TestCase(0, 1, 0, "hourly")]
    [TestCase(0, 0, 30, "every 30 minutes")]
    [TestCase(1, 12, 0, "every 36 hours")]
    public void An_interval_reads_as_words(int days, int hours, int minutes, string expected) =>
        IntervalText.Of(new TimeSpan(days, hours, minutes, 0)).Should().Be(expected);

    [Test]
    public void An_event_reads_as_fields_with_paths_and_without_json_escapes()
    {
        var fields = EventFields.Of("""{"order_id":"A+1","total":42.5,"products":[{"name":"Green tea \u002B cup","quantity":2}],"coupon":null,"tags":[]}""");
        fields.Should().Equal(("order_id", "A+1"), ("total", "42.5"), ("products[0].name", "Green tea + cup"), ("products[0].quantity", "2"),
            ("coupon", "null"), ("tags", "(none)"));
    }
}
