using System.Text.Encodings.Web;
using System.Text.Json;
using Automation.Server.MarketerConsole;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation console-user NAME</c>: reads a password from the first line of standard input and prints the
/// <c>Console:Users</c> entry for it, with the password hashed; the password itself is stored nowhere.
/// </summary>
internal static class ConsoleUserCommand
{
    private const string Usage = "usage: echo 'a long password' | automation console-user NAME (from a source checkout: dotnet run --project src/Automation.Server -- console-user NAME)";

    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter errors)
    {
        if (args is not [var name] || string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace) || name.StartsWith('-'))
        {
            errors.WriteLine($"error: one user name without spaces is required. {Usage}");
            return 2;
        }
        var password = input.ReadLine();
        if (password is null || password.Length < ConsolePasswords.MinimumLength)
        {
            errors.WriteLine($"error: the password (read from standard input) must be at least {ConsolePasswords.MinimumLength} characters long. {Usage}");
            return 2;
        }
        var entry = new ConsoleUser { Name = name, PasswordHash = ConsolePasswords.Hash(password) };
        // Relaxed escaping: a base64 '+' stays '+' rather than \u002B, so the entry reads as it will be pasted.
        output.WriteLine(JsonSerializer.Serialize(entry, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        errors.WriteLine($"Add this entry to the list \"Console\": {{ \"Users\": [ ... ] }} in appsettings.json, or set Console__Users__N__Name and Console__Users__N__PasswordHash.");
        return 0;
    }
}
