using Automation.Core.Journeys;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation validate [--rules DIR] [--templates DIR]</c>: checks every journey file and prints one line per
/// problem (<c>file:line rule: reason</c>); exits 1 when there is any.
/// </summary>
internal static class ValidateCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var root = builder.Environment.ContentRootPath;
        var rules = Path.GetFullPath(Path.Combine(root, builder.Configuration["rules"] ?? builder.Configuration["Rules:Path"] ?? "rules"));
        var templates = Path.GetFullPath(Path.Combine(root, builder.Configuration["templates"] ?? builder.Configuration["Templates:Path"] ?? "templates"));

        var options = new JourneyReadOptions(JourneyReadOptions.DefaultChannels, JourneyDirectory.TemplatesIn(templates));
        var result = JourneyDirectory.Load(rules, options);
        foreach (var problem in result.Problems)
            errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });
        if (result.Problems.Count > 0) return 1;

        output.WriteLine($"{result.Journeys.Count} journey(s) valid in {Path.GetRelativePath(root, rules)}.");
        return 0;
    }
}
