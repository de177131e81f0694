"""A minimal OFD (GB/T 33190) writer for tests: OFD.xml, one document, pages of positioned text objects."""

from __future__ import annotations

import io, zipfile
NS='xmlns:ofd="http://www.ofdspec.org/2016"'
def make_ofd(pages: list[list[str]], title: str = "通知") -> bytes:
    """An OFD whose pages hold the given lines, one text object per line, top to bottom."""
    buf=io.BytesIO()
    with zipfile.ZipFile(buf,"w",zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>a1</ofd:DocID><ofd:Title>{title}</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        refs="".join(f'<ofd:Page ID="{10+i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
        z.writestr("Doc_0/PublicRes.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
        for i, lines in enumerate(pages):
            objs="".join(f'<ofd:TextObject ID="{100+j}" Boundary="20 {30+j*10} 170 8" Font="3" Size="5"><ofd:TextCode X="0" Y="5">{line}</ofd:TextCode></ofd:TextObject>' for j,line in enumerate(lines))
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="4">{objs}</ofd:Layer></ofd:Content></ofd:Page>')
    return buf.getvalue()
