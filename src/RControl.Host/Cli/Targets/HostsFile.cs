namespace RControl.Host.Cli.Targets;

/// <summary>
/// A hosts file as <c>pssh -h</c> reads it: one target per line (<c>[user@]host[:port]</c>, an inventory name, a
/// host range), an optional login as a second word (<c>host user</c>), blank lines and <c># comments</c> ignored.
/// </summary>
public static class HostsFile
{
    /// <summary>One target of the file, with its line number.</summary>
    public sealed record Entry(string Target, int Line);

    /// <summary>Reads the targets of a file; throws <see cref="UsageException"/> naming file and line.</summary>
    public static IReadOnlyList<Entry> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--hosts: file '{path}' not found");
        }

        var entries = new List<Entry>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 2)
            {
                throw new UsageException($"{path}:{number}: expected '[user@]host[:port] [user]', got '{line}'");
            }

            var target = words[0];
            if (words.Length == 2)
            {
                if (target.Contains('@', StringComparison.Ordinal))
                {
                    throw new UsageException($"{path}:{number}: '{line}' gives the user twice");
                }

                target = $"{words[1]}@{target}";
            }

            entries.Add(new Entry(target, number));
        }

        return entries.Count > 0 ? entries : throw new UsageException($"--hosts: file '{path}' lists no host");
    }
}
