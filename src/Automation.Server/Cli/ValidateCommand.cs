using System.CommandLine;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Server.Tools;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation validate [--rules DIR] [--templates DIR]</c>: checks every journey file and renders every template
/// its steps send against a sample customer; prints one line per problem (<c>file:line rule: reason</c>) and exits 1
/// when there is any.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check every journey, coupon campaign, team campaign, referral, rewards, tag, tier, draw, pre-sale, segment and template file; print file:line: reason for each problem.").ReadingSettings();
        command.SetAction(result => Run(ServerSettings.Arguments(result), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string[] settings, TextWriter output, TextWriter errors)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var root = builder.Environment.ContentRootPath;
        using var folders = OpenFolders(builder, errors);
        if (folders is null) return 1;
        var smsProvider = Automation.Channels.SmsProviders.TemplateBased(builder.Configuration);
        var result = ContentCheck.Run(folders, smsProvider, TimeProvider.System.GetUtcNow());
        WriteProblems(result, root, errors);
        if (!result.Valid) return 1;

        output.WriteLine($"{result.Journeys} journey(s) and {result.CouponCampaigns} coupon campaign(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.Root)}; their templates render.");
        if (result.Presales > 0) output.WriteLine($"{result.Presales} pre-sale(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(JourneyFiles.PresalesName))}.");
        if (result.Segments > 0) output.WriteLine($"{result.Segments} segment(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(Core.Segments.SegmentCatalog.FolderName))}.");
        if (result.Draws > 0) output.WriteLine($"{result.Draws} draw(s) valid in {Path.GetRelativePath(root, folders.RulesFolder.PathOf(JourneyFiles.DrawsName))}.");
        return 0;
    }

    /// <summary>The folders the settings name; null, said on <paramref name="errors"/>, when the rules folder does not exist.</summary>
    internal static JourneyFiles? OpenFolders(HostApplicationBuilder builder, TextWriter errors)
    {
        var root = builder.Environment.ContentRootPath;
        var folders = JourneyFiles.From(builder.Configuration, root, new QuartzCronSchedule());
        if (Directory.Exists(folders.RulesFolder.Root)) return folders;
        errors.WriteLine($"{Path.GetRelativePath(root, folders.RulesFolder.Root)}: the rules folder does not exist");
        folders.Dispose();
        return null;
    }

    /// <summary>One line per problem, <c>file:line rule: reason</c>, files named from the content root.</summary>
    internal static void WriteProblems(ContentCheckResult result, string root, TextWriter errors)
    {
        foreach (var problem in result.FileProblems)
            errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });
        foreach (var problem in result.TemplateProblems)
            errors.WriteLine($"{Path.GetRelativePath(root, problem.File)}:{problem.Line}: {problem.Reason}");
    }
}
