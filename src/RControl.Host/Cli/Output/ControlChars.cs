using System.Text;

namespace RControl.Host.Cli.Output;

/// <summary>Makes control characters of remote output visible (<c>ESC</c> → <c>^[</c>) so they cannot drive the terminal of the live view.</summary>
public static class ControlChars
{
    /// <summary>The text with every control character but tab in caret notation (C1 controls as <c>\u0085</c>-style escapes).</summary>
    public static string Visible(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\t' || (c >= ' ' && c < '\u007f') || c > '\u009f')
            {
                result.Append(c);
            }
            else if (c < ' ')
            {
                result.Append('^').Append((char)(c + '@'));
            }
            else if (c == '\u007f')
            {
                result.Append("^?");
            }
            else
            {
                result.Append($"\\u{(int)c:x4}");
            }
        }

        return result.ToString();
    }
}
