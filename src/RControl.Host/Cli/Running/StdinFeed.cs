using RControl.Files;

namespace RControl.Host.Cli.Running;

/// <summary>
/// <c>--stdin FILE|-</c>, as <c>pssh -I</c>: the bytes are read once, before anything runs, and every command gets
/// them on its standard input. They go to each session as a private file (<c>/tmp/.rcontrol-stdin-*</c>, mode 0600,
/// created exclusively) that the command opens as its stdin and removes before it runs.
/// </summary>
public sealed class StdinFeed
{
    /// <summary>The most bytes read (the data is held in memory, once).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    private readonly byte[] _data;

    private StdinFeed(byte[] data)
    {
        _data = data;
    }

    /// <summary>The bytes every command gets.</summary>
    public byte[] Data => _data;

    /// <summary>Reads a file, or rcontrol's own stdin for <c>-</c>; null when <paramref name="source"/> is null.</summary>
    /// <param name="maxBytes">The most bytes taken; more is bad input, named with <paramref name="why"/>.</param>
    public static StdinFeed? Read(string? source, int maxBytes = MaxBytes, string why = "copy a file with rcontrol copy instead")
    {
        if (source is null)
        {
            return null;
        }

        try
        {
            using var stream = source == "-" ? Console.OpenStandardInput() : File.OpenRead(source);
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new UsageException($"--stdin {source}: more than {maxBytes / 1024 / 1024} MiB ({why})");
                }

                buffer.Write(chunk, 0, read);
            }

            return new StdinFeed(buffer.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--stdin {source}: {e.Message}");
        }
    }

    /// <summary>Writes the data to the session and returns the command that reads it as its stdin.</summary>
    public async Task<string> PrepareAsync(Session session, string command, CancellationToken cancellationToken)
    {
        var path = $"/tmp/.rcontrol-stdin-{Guid.NewGuid():N}";
        var stream = await session.OpenAsync(path, FileOpenMode.CreateNew, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await session.ChmodAsync(path, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(_data, cancellationToken).ConfigureAwait(false);
        }

        // The shell opens the file as its stdin, then removes it: the command (and its children) read it to the end.
        return $"exec <'{path}' && rm -f '{path}' || exit 125\n{command}";
    }
}
