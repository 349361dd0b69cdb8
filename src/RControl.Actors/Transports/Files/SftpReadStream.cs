using System.Buffers;

namespace RControl.Transports.Files;

/// <summary>
/// Reads a remote file front to back with up to <c>window</c> SFTP read requests in flight (pipelining, as OpenSSH
/// does): the next requests are already on the wire while the caller consumes an answer, so throughput is not one
/// round trip per request. Memory: at most <c>window × requestSize</c> of answers wait in SSH.NET's pooled buffers.
/// Not seekable. Disposing closes the handle.
/// </summary>
internal sealed class SftpReadStream : Stream
{
    private readonly SftpRawSession _raw;
    private readonly byte[] _handle;
    private readonly string _path;
    private readonly long _expectedSize;
    private readonly uint _requestSize;
    private readonly int _window;
    private readonly LinkedList<(ulong Offset, uint Length, Task Answer)> _inFlight = new();
    private ulong _nextOffset;
    private IMemoryOwner<byte>? _current;
    private int _currentStart;
    private long _position;
    private bool _endOfFile;
    private bool _disposed;

    /// <param name="expectedSize">The size from <c>stat</c>: requests go up to it, then one at a time until end of file.</param>
    public SftpReadStream(SftpRawSession raw, byte[] handle, string path, long expectedSize, uint requestSize, int window)
    {
        _raw = raw;
        _handle = handle;
        _path = path;
        _expectedSize = expectedSize;
        _requestSize = requestSize;
        _window = window;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>The size the file had when opened.</summary>
    public override long Length => _expectedSize;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("an SFTP read stream is read front to back");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ReadCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw SftpFileSystem.Wrap(e, "read", _path);
        }
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_current is { } current)
            {
                var available = current.Memory.Length - _currentStart;
                var count = Math.Min(available, buffer.Length);
                current.Memory.Slice(_currentStart, count).CopyTo(buffer);
                _currentStart += count;
                if (_currentStart == current.Memory.Length)
                {
                    current.Dispose();
                    _current = null;
                }

                _position += count;
                return count;
            }

            if (_endOfFile)
            {
                return 0;
            }

            Fill(cancellationToken);
            var (offset, length, answer) = _inFlight.First!.Value;
            _inFlight.RemoveFirst();
            await answer.ConfigureAwait(false);
            var data = _raw.ReadResult(answer);
            if (data.Memory.Length == 0)
            {
                data.Dispose();
                _endOfFile = true;
                continue;
            }

            if (data.Memory.Length < length)
            {
                // A short answer before the end: ask for the rest before anything already in flight.
                var rest = offset + (ulong)data.Memory.Length;
                _inFlight.AddFirst((rest, length - (uint)data.Memory.Length, _raw.ReadAsync(_handle, rest, length - (uint)data.Memory.Length, cancellationToken)));
            }

            _current = data;
            _currentStart = 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("an SFTP read stream is read front to back");

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        Release();
        if (_raw.IsConnected)
        {
            try
            {
                await _raw.CloseAsync(_handle, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing was written: a handle that fails to close loses no data (the server drops it with the channel).
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    /// <summary>Keeps the window full up to the expected size; past it, one request at a time until end of file.</summary>
    private void Fill(CancellationToken cancellationToken)
    {
        while (_inFlight.Count < _window && (_nextOffset < (ulong)_expectedSize || _inFlight.Count == 0))
        {
            _inFlight.AddLast((_nextOffset, _requestSize, _raw.ReadAsync(_handle, _nextOffset, _requestSize, cancellationToken)));
            _nextOffset += _requestSize;
        }
    }

    /// <summary>Returns every buffer: the current one now, answers still in flight when they arrive.</summary>
    private void Release()
    {
        _disposed = true;
        _current?.Dispose();
        _current = null;
        foreach (var (_, _, answer) in _inFlight)
        {
            _ = answer.ContinueWith(
                static (task, state) =>
                {
                    if (task.IsCompletedSuccessfully)
                    {
                        ((SftpRawSession)state!).ReadResult(task).Dispose();
                    }
                    else
                    {
                        _ = task.Exception; // observed: the read that failed is no longer wanted
                    }
                },
                _raw,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        _inFlight.Clear();
    }
}
