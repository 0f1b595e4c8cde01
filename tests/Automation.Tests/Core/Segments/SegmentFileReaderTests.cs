using System.Text;
using Automation.Core.Customers;
using Automation.Core.Segments;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Segments;

/// <summary>Segment files: what a good file reads as, each problem with its file and line, the catalog's last good versions, and the shipped defaults.</summary>
public sealed class SegmentFileReaderTests
{
    private const string Good = """
        {
          "Description": "Big spenders",
          "Expression": "stats.TotalSpent >= 2000 && customer.HasTag(\"vip\")"
        }
        """;

    private static (Automation.Core.Segments.Segment? Segment, IReadOnlyList<string> Problems) Read(string json, string file = "rules/segments/big.json")
    {
        var (segment, problems) = SegmentFileReader.Read(file, Encoding.UTF8.GetBytes(json));
        return (segment, [.. problems.Select(p => p.ToString())]);
    }

    [Test]
    public void A_good_file_reads_as_its_segment_reading_only_the_snapshot_parts_its_expression_uses()
    {
        var (segment, problems) = Read(Good);
        problems.Should().BeEmpty();
        segment!.Name.Should().Be("big");
        segment.Description.Should().Be("Big spenders");
        segment.Rule.Reads.Should().Be(SnapshotParts.Stats | SnapshotParts.Tags);
    }

    [Test]
    public void An_expression_that_does_not_compile_or_leaves_the_allow_list_is_reported_at_its_line()
    {
        Read(Good.Replace("stats.TotalSpent >= 2000", "stats.NoSuchThing > 1")).Problems.Should().ContainSingle()
            .Which.Should().StartWith("rules/segments/big.json:3: Expression: does not compile");
        Read(Good.Replace("stats.TotalSpent >= 2000", "System.IO.File.Exists(\\\"x\\\")")).Problems.Should().ContainSingle()
            .Which.Should().StartWith("rules/segments/big.json:3: Expression:");
    }

    [Test]
    public void An_expression_that_runs_out_of_budget_on_a_busy_customer_is_reported_at_its_line()
    {
        const string cubic = "customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => customer.Traits.Keys.Any(c => a + b + c == \\\"none\\\")))";
        Read(Good.Replace("stats.TotalSpent >= 2000", cubic)).Problems.Should().Equal(
            "rules/segments/big.json:3: Expression: is too costly to run for every customer: on one with 60 tags and traits it took more than 100,000 steps (Rules:MaxSteps)");
        Read(Good.Replace("stats.TotalSpent >= 2000", "customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => a == b + \\\"x\\\"))")).Problems
            .Should().BeEmpty("60 × 60 steps is within the budget");
    }

    [Test]
    public void Missing_and_unknown_fields_and_bad_names_are_problems()
    {
        Read("""{ "Description": "x" }""").Problems.Should().Equal("rules/segments/big.json:1: Expression: is required");
        Read(Good.Replace("\"Description\"", "\"Descripton\"")).Problems.Should().Contain(p => p.StartsWith("rules/segments/big.json:2: Descripton: unknown field", StringComparison.Ordinal));
        Read(Good, "rules/segments/Big Spenders.json").Problems.Should().ContainSingle().Which.Should().Contain("file name");
        Read("[1]").Problems.Should().ContainSingle();
    }

    [Test]
    public void The_catalog_keeps_each_files_last_good_version_and_drops_removed_files()
    {
        var folder = Directory.CreateTempSubdirectory("automation-rules-");
        try
        {
            var rules = DiskFiles.Folder(folder.FullName);
            var segments = Directory.CreateDirectory(Path.Combine(folder.FullName, "segments")).FullName;
            var big = Path.Combine(segments, "big.json");
            File.WriteAllText(big, Good);
            var catalog = new SegmentCatalog();
            catalog.Reload(rules, SegmentCatalog.FolderName).Should().BeEmpty();

            File.WriteAllText(big, Good.Replace("stats.TotalSpent", "stats.Nope"));
            catalog.Reload(rules, SegmentCatalog.FolderName).Should().ContainSingle().Which.ToString().Should().StartWith($"{big}:3: Expression:");
            catalog.Find("big")!.Expression.Should().Contain("TotalSpent", "the last good version keeps counting");

            File.Delete(big);
            catalog.Reload(rules, SegmentCatalog.FolderName).Should().BeEmpty();
            catalog.Segments.Should().BeEmpty();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void The_shipped_segments_read_without_problems()
    {
        var catalog = new SegmentCatalog();
        catalog.Reload(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "rules")), SegmentCatalog.FolderName).Should().BeEmpty();
        catalog.Segments.Select(s => s.Name).Should().Equal("coffee-buyers", "dormant", "high-value", "price-sensitive");
    }
}
