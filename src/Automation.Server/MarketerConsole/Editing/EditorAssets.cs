using System.Reflection;
using Automation.Server.Hosting;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>
/// What the editor's page loads besides itself: the CodeMirror bundle built from MarketerConsole/editor/ at build
/// time and embedded in the server (no CDN), and the rules folder's JSON Schemas, the same files <c>automation
/// validate</c>'s readers follow, so completion in the browser offers what the server accepts.
/// </summary>
internal static class EditorAssets
{
    public const string PagePath = $"{ConsoleServices.BasePath}/editor";

    public static void MapEditorAssets(this WebApplication app)
    {
        app.MapGet($"{ConsoleServices.BasePath}/editor.js", () => Results.Text(Bundle.Value, "text/javascript; charset=utf-8")).AllowAnonymous();
        app.MapGet($"{PagePath}/schemas/{{name}}", (string name, JourneyFiles folders) =>
        {
            // Only the schema files at the top of the rules folder: a name is never a path.
            var file = folders.RulesFolder.PathOf(name);
            return name.EndsWith("schema.json", StringComparison.Ordinal) && !name.Contains('/') && !name.Contains('\\') && !name.StartsWith('.') && folders.RulesFolder.Exists(file)
                ? Results.Text(folders.RulesFolder.ReadAllText(file), "application/schema+json; charset=utf-8")
                : Results.NotFound();
        }).RequireAuthorization(ConsoleRoles.Editor);
    }

    private static readonly Lazy<string> Bundle = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Automation.Server.MarketerConsole.editor.js")
            ?? throw new InvalidOperationException("The editor's bundle is not embedded in the server: build it with Node.js and npm (see README.md, Build it).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
