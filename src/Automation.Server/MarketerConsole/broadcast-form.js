// The broadcast form's live preview: as the form changes, the page's own Preview handler renders it again and its
// preview section replaces the one shown. Without scripts the Preview button does the same by a full post.
(() => {
  const form = document.querySelector('form.broadcast-form');
  const shown = document.getElementById('live-preview');
  if (!form || !shown) return;
  let timer = 0, running = false, again = false;

  const refresh = async () => {
    if (running) { again = true; return; }
    running = true;
    shown.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('?handler=Preview', { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.getElementById('live-preview');
      if (fresh) shown.replaceChildren(...Array.from(fresh.childNodes, node => document.importNode(node, true)));
    } finally {
      running = false;
      shown.removeAttribute('aria-busy');
      // A change made while this one was rendering is rendered next.
      if (again) { again = false; refresh(); }
    }
  };

  const soon = delay => () => { clearTimeout(timer); timer = setTimeout(refresh, delay); };
  form.addEventListener('input', soon(600));
  form.addEventListener('change', soon(150));
})();
