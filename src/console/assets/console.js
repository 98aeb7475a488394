// The console's one script (no inline scripts: the Content-Security-Policy allows only this file).
// Regions marked data-live="<seconds>" are refreshed in place from the same URL: the server sends the
// region again only when it changed (ETag), so an unchanged page is never fetched twice.
(() => {
  const regions = document.querySelectorAll('[data-live]');
  for (const region of regions) {
    const seconds = Number(region.getAttribute('data-live')) || 10;
    let etag = region.getAttribute('data-etag') || '';
    const id = region.id;
    if (!id) continue;
    const refresh = async () => {
      if (document.hidden) return;
      const url = new URL(window.location.href);
      url.searchParams.set('fragment', id);
      const response = await fetch(url, {
        headers: etag ? { 'If-None-Match': etag } : {},
        credentials: 'same-origin',
      }).catch(() => undefined);
      if (!response || response.status !== 200) return;
      etag = response.headers.get('ETag') || '';
      const html = await response.text();
      const next = new DOMParser().parseFromString(html, 'text/html').getElementById(id);
      if (next) region.replaceChildren(...next.childNodes);
    };
    setInterval(refresh, seconds * 1000);
  }
})();
