using System.CommandLine;
using System.Data.Common;
using System.Text;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation segment export NAME [--out FILE]</c>: the members of <c>rules/segments/NAME.json</c> in the configured
/// database as CSV, the document <c>GET /v1/segments/{name}/customers.csv</c> answers, written as it is read.
/// </summary>
internal static class SegmentCommand
{
    public static Command Create(TimeProvider clock)
    {
        var name = new Argument<string>("NAME") { Description = "the segment: the name of a file of rules/segments/ without .json" };
        var output = new Option<string>("--out") { HelpName = "FILE", Description = "write to this file instead of the standard output" };
        var export = new Command("export", "Write a segment's customers as CSV (RFC 4180).") { name, output }.ReadingSettings();
        export.SetAction((result, cancellation) => ExportAsync(ServerSettings.Arguments(result), result.GetValue(name)!, result.GetValue(output),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, clock, cancellation));
        return new Command("segment", "Work with the customer segments of rules/segments/.") { export };
    }

    private static async Task<int> ExportAsync(string[] settings, string name, string? file, TextWriter output, TextWriter errors, TimeProvider clock, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        using var files = JourneyFiles.From(builder.Configuration, builder.Environment.ContentRootPath, new QuartzCronSchedule());
        var segments = files.Segments;
        var problems = segments.Problems;
        if (segments.Find(name) is not { } segment)
        {
            foreach (var problem in problems.Where(p => Path.GetFileNameWithoutExtension(p.File) == name)) errors.WriteLine(problem);
            errors.WriteLine($"error: no segment '{name}' in {files.RulesFolder.PathOf(SegmentCatalog.FolderName)} ({string.Join(", ", segments.Segments.Select(s => s.Name))})");
            return 1;
        }
        var tiers = new TierCatalog();
        tiers.Reload(files.RulesFolder, JourneyFiles.TiersName);
        builder.Services.AddSingleton(clock);
        builder.Services.AddAutomationStorage();
        using var host = builder.Build();
        var members = new SegmentMembers(host.Services.GetRequiredService<IJourneyStore>(), tiers, clock);
        try
        {
            if (file is null)
            {
                // The CSV goes to standard output, the count to standard error: an empty segment is said, not just a header.
                var count = await SegmentCsv.WriteAsync(output, members.MembersAsync(segment, 0, cancellation), cancellation);
                errors.WriteLine(count == 0 ? $"Segment {name} holds no customer now: the CSV has its header only." : $"{count:N0} customer(s) of segment {name} written.");
                return 0;
            }
            // Written beside the target and moved over it once whole: a failed export leaves no half-written file.
            var partial = file + ".partial";
            long written;
            await using (var writer = new StreamWriter(partial, false, new UTF8Encoding(false)))
                written = await SegmentCsv.WriteAsync(writer, members.MembersAsync(segment, 0, cancellation), cancellation);
            File.Move(partial, file, overwrite: true);
            errors.WriteLine(written == 0 ? $"Segment {name} holds no customer now: {file} has the CSV's header only." : $"{written:N0} customer(s) of segment {name} written to {file}.");
            return 0;
        }
        catch (DbException e) when (!TransientFailures.IsTransient(e))
        {
            errors.WriteLine($"error: the customers cannot be read ({e.Message}). Check Storage:ConnectionString, or run `automation migrate` first.");
            return 1;
        }
    }
}
