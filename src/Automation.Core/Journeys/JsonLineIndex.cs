using System.Text.Json;

namespace Automation.Core.Journeys;

/// <summary>
/// The line on which each property and array element of a JSON text starts, keyed by path
/// (<c>Rules[2].Expression</c>), so problems in a file can point at their line. System.Text.Json's DOM keeps none.
/// </summary>
internal sealed class JsonLineIndex
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Property { get; set; }
    }

    /// <summary>Indexes valid JSON; call after the text parsed without error.</summary>
    public static JsonLineIndex Build(ReadOnlySpan<byte> json)
    {
        var index = new JsonLineIndex();
        var newlines = new List<long>();
        for (var i = 0; i < json.Length; i++)
            if (json[i] == (byte)'\n') newlines.Add(i);

        int LineAt(long offset)
        {
            var found = newlines.BinarySearch(offset);
            return (found < 0 ? ~found : found) + 1;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var stack = new Stack<Frame>();
        while (reader.Read())
        {
            var line = LineAt(reader.TokenStartIndex);
            string? Here()
            {
                if (stack.Count == 0) return "";
                var frame = stack.Peek();
                if (frame.IsArray) return $"{frame.Path}[{frame.Index++}]";
                var name = frame.Property;
                frame.Property = null;
                return name is null ? null : frame.Path.Length == 0 ? name : $"{frame.Path}.{name}";
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var frameOfProperty = stack.Peek();
                    frameOfProperty.Property = reader.GetString();
                    var propertyPath = frameOfProperty.Path.Length == 0 ? frameOfProperty.Property! : $"{frameOfProperty.Path}.{frameOfProperty.Property}";
                    index._lines[propertyPath] = line;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var containerPath = Here() ?? "";
                    if (stack.Count > 0 && stack.Peek().IsArray) index._lines[containerPath] = line;
                    stack.Push(new Frame(containerPath, reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    break;
                default:
                    var valuePath = Here();
                    if (valuePath is not null && stack.Count > 0 && stack.Peek().IsArray) index._lines[valuePath] = line;
                    break;
            }
        }
        return index;
    }

    /// <summary>The line of the path, else of its nearest indexed parent, else 1.</summary>
    public int LineOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
            if (_lines.TryGetValue(p, out var line)) return line;
        return 1;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
